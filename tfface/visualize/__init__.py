"""Visualisation helpers: contact sheets of images, masks and model outputs."""

from tfface.visualize.contact_sheet import contact_sheet, save_contact_sheet

__all__ = ["contact_sheet", "save_contact_sheet"]
