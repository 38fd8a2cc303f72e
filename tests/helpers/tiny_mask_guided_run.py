"""An untrained tiny mask_guided run directory, without data or training (fast fixtures for
`tfface edit` and for exports of the mask-guided signatures)."""

from __future__ import annotations

import json
from pathlib import Path


def write_tiny_mask_guided_run(run_dir: Path, image_size: int = 32) -> Path:
    """RUN_DIR with run.json, config.yaml (the tiny preset at `image_size`) and a checkpoint
    of freshly initialised networks (EMA shadows included); returns RUN_DIR."""
    from tfface.config import apply_overrides, get_preset
    from tfface.config.serialize import save_resolved
    from tfface.systems import registry

    config = apply_overrides(get_preset("mask_guided", "tiny"), [f"data.image_size={image_size}"])
    save_resolved(config, run_dir)
    (run_dir / "run.json").write_text(json.dumps({"system": "mask_guided", "preset": "tiny"}))
    system = registry.build("mask_guided", config)
    system.enable_ema()
    system.checkpoint().save(str(run_dir / "checkpoints" / "ckpt"))
    return run_dir
