# The tfface image: what the pipeline's components run in on Kubeflow / Vertex AI Pipelines
# (`tfface pipeline compile --image ...`), and a ready tfface for Beam workers and training.
#
# Two variants on the official TensorFlow images (TensorFlow is already installed there, at
# the version setup.py pins, so pip keeps it):
#   CPU:  docker build -t tfface:0.1.0-cpu .
#   GPU:  docker build --build-arg VARIANT=-gpu -t tfface:0.1.0-gpu .
# Push it where the cluster pulls from, e.g.
#   docker tag tfface:0.1.0-gpu REGION-docker.pkg.dev/PROJECT/REPO/tfface:0.1.0-gpu && docker push ...
#
# Not built in tfface's own CI: its machines have no Docker daemon and reach no image registry.
ARG TENSORFLOW_VERSION=2.21.0
ARG VARIANT=
FROM tensorflow/tensorflow:${TENSORFLOW_VERSION}${VARIANT}

ENV PYTHONDONTWRITEBYTECODE=1 \
    PYTHONUNBUFFERED=1 \
    TF_CPP_MIN_LOG_LEVEL=2

WORKDIR /opt/tfface
COPY setup.py README.md ./
COPY tfface ./tfface
COPY pipelines ./pipelines
COPY serving ./serving
# [dataflow]: apache-beam[gcp], so example_gen can hand its Beam job to Dataflow.
RUN python3 -m pip install --no-cache-dir ".[dataflow]" \
    && python3 -c "import tfface, kfp, apache_beam; print('tfface', tfface.__version__)"

# Components bring their own command (python3 -m kfp.dsl.executor_main ...); by hand:
#   docker run --rm tfface:0.1.0-cpu tfface --help
CMD ["tfface", "--help"]
