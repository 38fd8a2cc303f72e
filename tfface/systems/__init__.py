"""The research systems (one keras.Model subclass each), their base class and registry."""
