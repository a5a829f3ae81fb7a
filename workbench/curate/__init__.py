"""Curation: the gallery model (plain Python), its widget for JupyterLab and Voila, decisions, contact sheets and hand-off."""
