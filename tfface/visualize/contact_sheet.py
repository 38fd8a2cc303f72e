"""Labelled grids of images ("contact sheets") for inspecting inputs, masks and outputs."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import numpy as np
from PIL import Image, ImageDraw

from tfface.visualize.font import Font, default_font, line_height, text_width, wrap

__all__ = ["contact_sheet", "save_contact_sheet"]

Cell = np.ndarray | None
Color = tuple[int, int, int]

_MIN_ROW_LABEL_WIDTH = 96  # row labels may use at least this many pixels, or the cell size
_MAX_COLUMN_LABEL_LINES = 3
_FLOAT_TOLERANCE = 1e-6


def _cell_to_rgb(cell: np.ndarray, row: int, column: int) -> tuple[np.ndarray, bool]:
    """Convert one cell to uint8 RGB (H, W, 3); also return whether it is a mask."""
    where = f"cell (row {row}, column {column})"
    if not isinstance(cell, np.ndarray):
        raise ValueError(f"{where} must be a numpy array or None, got {type(cell).__name__}")
    if cell.ndim == 3:
        if cell.shape[-1] not in (1, 3):
            raise ValueError(
                f"{where} has {cell.shape[-1]} channels (shape {cell.shape}); expected 1 or 3"
            )
    elif cell.ndim != 2:
        raise ValueError(f"{where} must be 2-D (H, W) or 3-D (H, W, C), got shape {cell.shape}")
    if cell.shape[0] == 0 or cell.shape[1] == 0:
        raise ValueError(f"{where} is empty (shape {cell.shape})")

    is_mask = cell.dtype == np.bool_
    if is_mask:
        pixels = cell.astype(np.uint8) * 255
    elif cell.dtype == np.uint8:
        pixels = cell
    elif np.issubdtype(cell.dtype, np.integer):
        low, high = int(cell.min()), int(cell.max())
        if low < 0 or high > 255:
            raise ValueError(f"{where}: integer values must lie in 0..255, got {low}..{high}")
        pixels = cell.astype(np.uint8)
    elif np.issubdtype(cell.dtype, np.floating):
        if not np.all(np.isfinite(cell)):
            raise ValueError(f"{where} contains NaN or infinite values")
        low, high = float(cell.min()), float(cell.max())
        if low < -_FLOAT_TOLERANCE or high > 1 + _FLOAT_TOLERANCE:
            raise ValueError(
                f"{where}: float values must lie in [0, 1], got [{low:.4g}, {high:.4g}] "
                "(rescale [-1, 1] images with (x + 1) / 2)"
            )
        pixels = np.round(np.clip(cell, 0.0, 1.0) * 255.0).astype(np.uint8)
    else:
        raise ValueError(f"{where} has unsupported dtype {cell.dtype}")

    if pixels.ndim == 2:
        pixels = pixels[:, :, None]
    if pixels.shape[-1] == 1:
        pixels = np.repeat(pixels, 3, axis=-1)
    return np.ascontiguousarray(pixels), is_mask


def _fit_to_cell(pixels: np.ndarray, is_mask: bool, cell_size: int) -> Image.Image:
    """Resize so the longer side equals `cell_size`, keeping the aspect ratio."""
    image = Image.fromarray(pixels)
    height, width = pixels.shape[:2]
    scale = cell_size / max(height, width)
    new_size = (max(1, round(width * scale)), max(1, round(height * scale)))
    if new_size == (width, height):
        return image
    resample = Image.Resampling.NEAREST if is_mask else Image.Resampling.BILINEAR
    return image.resize(new_size, resample=resample)


def _check_labels(labels: Sequence[str] | None, expected: int, what: str) -> None:
    if labels is None:
        return
    if isinstance(labels, str):
        raise ValueError(f"{what} must be a sequence of strings, not a single string")
    if len(labels) != expected:
        raise ValueError(f"got {len(labels)} {what} for {expected} {what.split('_')[0]}s")
    for label in labels:
        if not isinstance(label, str):
            raise ValueError(f"{what} must be strings, got {type(label).__name__}")


def _validate_rows(rows: Sequence[Sequence[Cell]]) -> list[list[Cell]]:
    if isinstance(rows, np.ndarray) and rows.ndim <= 3:
        raise ValueError(
            f"rows must be a sequence of rows of images, got one array of shape {rows.shape}"
        )
    grid = [row for row in rows]
    if not grid:
        raise ValueError("rows must contain at least one row")
    result: list[list[Cell]] = []
    for row_index, row in enumerate(grid):
        if isinstance(row, np.ndarray) and row.ndim <= 3:
            raise ValueError(
                f"row {row_index} is a single array of shape {row.shape}; each row must be "
                "a sequence of images (wrap a single row in a list: [[image_a, image_b]])"
            )
        cells = list(row)
        if not cells:
            raise ValueError(f"row {row_index} is empty")
        result.append(cells)
    return result


def _text_color(background: Color) -> Color:
    red, green, blue = background
    luminance = 0.299 * red + 0.587 * green + 0.114 * blue
    return (0, 0, 0) if luminance > 127 else (255, 255, 255)


def contact_sheet(
    rows: Sequence[Sequence[np.ndarray | None]],
    row_labels: Sequence[str] | None = None,
    column_labels: Sequence[str] | None = None,
    cell_size: int | None = None,
    padding: int = 4,
    background: Color = (255, 255, 255),
) -> np.ndarray:
    """Lay images out in a labelled grid.

    Cells may be uint8 (H, W, 3), (H, W, 1) or (H, W) images, bool masks (drawn black and
    white), integer arrays in 0..255, or float arrays in [0, 1]; None leaves the cell blank.
    Rows may have different lengths (missing cells are blank). Every cell is resized so its
    longer side is `cell_size` (nearest-neighbour for bool masks, bilinear otherwise) and
    centred in its square slot. Column labels are drawn above the first row, row labels left
    of each row, with Pillow's default font; long labels are wrapped and truncated.

    Cell (r, c) starts at x = padding + label_width + c * (cell_size + padding),
    y = padding + header_height + r * (cell_size + padding), where label_width and
    header_height are 0 without row/column labels.

    Args:
        rows: Rows of cells.
        row_labels: One label per row, or None.
        column_labels: One label per column (the longest row's length), or None.
        cell_size: Side of each square cell in pixels; default the largest cell side.
        padding: Gap in pixels between cells, labels and the border.
        background: RGB colour of the sheet.

    Returns:
        uint8 RGB image (H, W, 3).

    Raises:
        ValueError: on empty rows, bad cell arrays, or label counts that do not match.
    """
    grid = _validate_rows(rows)
    num_rows = len(grid)
    num_columns = max(len(row) for row in grid)
    _check_labels(row_labels, num_rows, "row_labels")
    _check_labels(column_labels, num_columns, "column_labels")
    if padding < 0:
        raise ValueError(f"padding must be >= 0, got {padding}")
    background = tuple(int(channel) for channel in background)
    if len(background) != 3 or any(not 0 <= channel <= 255 for channel in background):
        raise ValueError(f"background must be an RGB triple in 0..255, got {background}")

    converted = [
        [None if cell is None else _cell_to_rgb(cell, r, c) for c, cell in enumerate(row)]
        for r, row in enumerate(grid)
    ]
    if cell_size is None:
        sides = [max(item[0].shape[:2]) for row in converted for item in row if item is not None]
        if not sides:
            raise ValueError("all cells are None; pass cell_size to draw an empty sheet")
        cell_size = max(sides)
    if cell_size < 1:
        raise ValueError(f"cell_size must be >= 1, got {cell_size}")

    font = default_font()
    step = line_height(font)
    row_lines = _layout_row_labels(row_labels, cell_size, step, font)
    column_lines = [
        wrap(label, cell_size, font, _MAX_COLUMN_LABEL_LINES) for label in column_labels or []
    ]
    label_width = max((text_width(line, font) for lines in row_lines for line in lines), default=0)
    label_width = label_width + padding if label_width else 0
    header_lines = max((len(lines) for lines in column_lines if any(lines)), default=0)
    header_height = header_lines * step + padding if header_lines else 0

    origin_x = padding + label_width
    origin_y = padding + header_height
    pitch = cell_size + padding
    sheet = Image.new(
        "RGB", (origin_x + num_columns * pitch, origin_y + num_rows * pitch), background
    )
    for r, row in enumerate(converted):
        for c, item in enumerate(row):
            if item is None:
                continue
            image = _fit_to_cell(item[0], item[1], cell_size)
            left = origin_x + c * pitch + (cell_size - image.width) // 2
            top = origin_y + r * pitch + (cell_size - image.height) // 2
            sheet.paste(image, (left, top))

    draw = ImageDraw.Draw(sheet)
    color = _text_color(background)
    for c, lines in enumerate(column_lines):
        top = padding + (header_lines - len(lines)) * step
        for index, line in enumerate(lines):
            left = origin_x + c * pitch + (cell_size - text_width(line, font)) // 2
            draw.text((left, top + index * step), line, fill=color, font=font)
    for r, lines in enumerate(row_lines):
        top = origin_y + r * pitch + max(0, (cell_size - len(lines) * step) // 2)
        for index, line in enumerate(lines):
            draw.text((padding, top + index * step), line, fill=color, font=font)
    return np.asarray(sheet, dtype=np.uint8).copy()


def _layout_row_labels(
    row_labels: Sequence[str] | None, cell_size: int, step: int, font: Font
) -> list[list[str]]:
    """Wrap each row label to the row-label column width and the cell height."""
    if row_labels is None:
        return []
    max_width = max(cell_size, _MIN_ROW_LABEL_WIDTH)
    max_lines = max(1, cell_size // step)
    return [wrap(label, max_width, font, max_lines) for label in row_labels]


def save_contact_sheet(
    path: str | Path,
    rows: Sequence[Sequence[np.ndarray | None]],
    row_labels: Sequence[str] | None = None,
    column_labels: Sequence[str] | None = None,
    cell_size: int | None = None,
    padding: int = 4,
    background: Color = (255, 255, 255),
) -> Path:
    """Build a `contact_sheet` and write it as a PNG to `path` (parent dirs are created).

    Returns:
        The path written.
    """
    sheet = contact_sheet(
        rows,
        row_labels=row_labels,
        column_labels=column_labels,
        cell_size=cell_size,
        padding=padding,
        background=background,
    )
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(sheet).save(path, format="PNG")
    return path
