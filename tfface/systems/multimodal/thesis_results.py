"""The FID and LPIPS of every configuration in Bergqvist 2020, tables 4.2-4.8.

FID: InceptionV3 between one G(y, z) per test source and the real test targets; LPIPS:
AlexNet LPIPS between samples of one source (sec. 3.5). The thesis's data is proprietary
and its networks are the PyTorch ones, so these are references for ORDERINGS (which
configuration is better), not values a tfface run on other data should reproduce.
Tables 4.2 and 4.3 report the same run (ED-LS) as 14.75 and 14.7.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class ThesisResult:
    """One row of a results table of Bergqvist 2020.

    Attributes:
        table: "4.2" ... "4.8".
        reference: the row's letter (A, B, ...).
        name: the configuration's name (`naming.py`).
        fid: FID (lower is more realistic); None where training broke down.
        lpips: LPIPS diversity (higher is more diverse); None likewise.
        note: what the thesis says about the row.
    """

    table: str
    reference: str
    name: str
    fid: float | None
    lpips: float | None
    note: str = ""


THESIS_RESULTS: tuple[ThesisResult, ...] = (
    ThesisResult("4.2", "A", "ED-LS", 14.75, 0.180, "encoder-decoder generator"),
    ThesisResult("4.2", "B", "Mult-LS", 18.75, 0.166, "Multinorm generator"),
    ThesisResult("4.3", "A", "ED-O", 16.5, 0.148, "original adversarial loss"),
    ThesisResult("4.3", "B", "ED-H", 78.5, 0.0592, "hinge: fails on sources with glasses"),
    ThesisResult("4.3", "C", "ED-LS", 14.7, 0.180, "least squares (same run as 4.2 A)"),
    ThesisResult("4.4", "A", "ED-H-P", 18.6, 0.134, "D layers 4 & 5, lambda_p 1"),
    ThesisResult("4.4", "B", "ED-LS-P-1", 18.3, 0.151, "D layers 4 & 5, lambda_p 1"),
    ThesisResult("4.4", "C", "ED-LS-P-2", 22.5, 0.133, "D all layers, lambda_p 1"),
    ThesisResult("4.4", "D", "ED-LS-P-3", 15.3, 0.138, "VGG-19 ImageNet all layers"),
    ThesisResult("4.5", "A", "ED-LS-LR-1", 14.7, 0.179, "lambda_lr 1"),
    ThesisResult("4.5", "B", "ED-LS-LR-2", 12.3, 0.171, "lambda_lr 2: the thesis's best"),
    ThesisResult("4.5", "C", "ED-LS-LR-3", 15.4, 0.171, "lambda_lr 5"),
    ThesisResult("4.5", "D", "ED-H-LR", 18.6, 0.135, "hinge, lambda_lr 1"),
    ThesisResult("4.6", "A", "ED-LS-LR-SD", None, None, "broke down (FaceId, const 1)"),
    ThesisResult("4.6", "B", "ED-H-LR-SD-1", 17.1, 0.164, "d_I FaceId, d_z const 1"),
    ThesisResult("4.6", "C", "ED-H-LR-SD-2", 19.4, 0.144, "d_I FaceId, d_z L1"),
    ThesisResult("4.6", "D", "ED-H-LR-SD-3", 17.4, 0.147, "d_I L1, d_z const 1"),
    ThesisResult("4.6", "E", "ED-H-LR-SD-4", 55.8, 0.0864, "d_I discriminator, d_z const 1"),
    ThesisResult("4.6", "F", "ED-H-LR-SD-5", 40.5, 0.0619, "d_I VGG-19, d_z const 1"),
    ThesisResult("4.7", "A", "ED-LS-SM", 25.3, 2.82e-6, "L maps every z to one style"),
    ThesisResult("4.7", "B", "ED-LS-LR-SD-SM", 20.1, 0.193, "LPIPS inflated by broken samples"),
    ThesisResult("4.7", "C", "ED-LS-P-LR-SD-SM", 15.8, 0.164, "+ VGG-19 feature matching"),
    ThesisResult("4.8", "A", "ED-LS-LR-IR-1", 15.7, 0.173, "d_I FaceId, lambda_lr 1"),
    ThesisResult("4.8", "B", "ED-LS-LR-IR-2", 15.3, 0.178, "d_I FaceId, lambda_lr 2"),
    ThesisResult("4.8", "C", "ED-LS-LR-IR-3", 15.7, 0.180, "d_I L1, lambda_lr 2"),
    ThesisResult("4.8", "D", "ED-LS-LR-IR-4", 12.7, 0.183, "d_I VGG, lambda_lr 2"),
    ThesisResult("4.8", "E", "ED-H-LR-IR", 13.1, 0.161, "d_I '1' (read L1), lambda_lr 2"),
)

CONFIGURATION_NAMES: tuple[str, ...] = tuple(dict.fromkeys(row.name for row in THESIS_RESULTS))
"""Every configuration of tables 4.2-4.8, once each, in the thesis's order."""


def thesis_result(name: str) -> ThesisResult | None:
    """The last row reporting configuration `name` (4.3's ED-LS over 4.2's), or None."""
    rows = [row for row in THESIS_RESULTS if row.name == name]
    return rows[-1] if rows else None
