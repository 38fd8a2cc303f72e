"""Packaging for tfface: the library, the Beam pipelines, the serving tools and the `tfface` command."""

from pathlib import Path

from setuptools import find_packages, setup

ROOT = Path(__file__).parent

INSTALL_REQUIRES = [
    # The full `tensorflow` wheel (not tensorflow-cpu): tensorflow-serving-api depends on it.
    "tensorflow>=2.21,<2.22",
    "tensorboard>=2.20",  # tf.summary writers (TensorFlow 2.21 no longer installs it)
    "keras>=3.15,<3.16",
    "apache-beam[tfrecord]>=2.77,<2.78",
    "tensorflow-datasets>=4.9,<4.10",
    "importlib_resources",  # tensorflow-datasets imports it without declaring it
    "tensorflow-serving-api>=2.21,<2.22",
    "numpy>=1.26",
    "scipy>=1.11",
    "pillow>=10.0",
    "pyyaml>=6.0",
    # Face detection and 5-point landmarks; its weights ship inside the wheel (offline alignment).
    "mtcnn==1.0.0",
    "lz4>=4.0",
    "joblib>=1.3",
    # Kubeflow Pipelines SDK: the TFX-shaped pipeline (pipelines/kubeflow/) runs locally with
    # kfp.local and compiles to the IR YAML of Kubeflow / Vertex AI Pipelines (tfx itself needs
    # ml-metadata 1.21, which is not installable here).
    "kfp>=2.17,<2.18",
]

EXTRAS_REQUIRE = {
    "dev": ["pytest>=8", "ruff>=0.6", "hypothesis>=6", "scikit-image>=0.22", "matplotlib>=3.8"],
    "dataflow": ["apache-beam[gcp]>=2.77,<2.78"],
}

setup(
    name="tfface",
    version="0.1.0",
    description="GAN-based face image synthesis and editing on TensorFlow 2 / Keras 3: "
    "Beam data pipelines, distributed training, evaluation and TF Serving exports.",
    long_description=(ROOT / "README.md").read_text(encoding="utf-8"),
    long_description_content_type="text/markdown",
    license="Apache-2.0",
    python_requires=">=3.10",
    packages=find_packages(
        include=["tfface", "tfface.*", "pipelines", "pipelines.*", "serving", "serving.*"]
    ),
    include_package_data=True,
    install_requires=INSTALL_REQUIRES,
    extras_require=EXTRAS_REQUIRE,
    entry_points={"console_scripts": ["tfface = tfface.cli.main:main"]},
    classifiers=[
        "Programming Language :: Python :: 3",
        "Topic :: Scientific/Engineering :: Artificial Intelligence",
        "Topic :: Scientific/Engineering :: Image Processing",
    ],
)
