"""tfface: GAN-based face image synthesis and editing on TensorFlow 2 / Keras 3."""

__version__ = "0.1.0"
