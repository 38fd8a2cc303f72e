"""`multimodal`: synthetic render -> NIR multimodal translation of Bergqvist 2020 (see `system.py`).

Configurations of the thesis (ED-LS-LR-2, ED-LS-LR-IR-2, ...) are presets named as in its
Table 4.1 (`naming.py`); their reported FID / LPIPS are in `thesis_results.py`.
"""

from tfface.systems.multimodal.config import MultimodalConfig, MultimodalModelConfig
from tfface.systems.multimodal.system import MultimodalSystem

__all__ = ["MultimodalConfig", "MultimodalModelConfig", "MultimodalSystem"]
