"""Training runs: the `tfface train` command (`train.py`) that builds a registered system,
fits it under a tf.distribute strategy and writes RUN_DIR (config, checkpoints, logs)."""
