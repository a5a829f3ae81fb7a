"""Provenance of what the workbench makes: AI-content labels (GB 45438-2025) and C2PA Content Credentials."""
