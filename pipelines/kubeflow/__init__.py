"""The TFX stage structure on Kubeflow Pipelines: one end-to-end pipeline for every system.

    example_gen -> statistics_gen -> schema_gen -> example_validator -> trainer -> evaluator
    -> pusher

Each stage is a KFP lightweight component (`components.py`) with typed artifacts, and each
component is a thin call into a module of this package named after it (`example_gen.py`,
`statistics_gen.py`, ...), which in turn calls the library: the Beam jobs of `pipelines/`,
`tfface train`, `tfface evaluate` and `tfface.export.writer`. `pipeline.py` wires the DAG,
`local_run.py` runs it on this machine with `kfp.local.SubprocessRunner` (with KFP's local
cache), `compile.py` writes the IR YAML for Kubeflow / Vertex AI Pipelines and `show.py` prints
a run's lineage graph. tfx itself is not a dependency (its current release needs
ml-metadata 1.21, which the package registry here does not serve).
"""
