"""Curation: review decisions (plain Python), widgets for JupyterLab, and the contact sheet."""
