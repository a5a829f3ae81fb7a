"""Brand onboarding: kits made from what a client sends, rather than written by hand.

- `sheet`: one kit per row of a client's spreadsheet (.xlsx or .csv) and a folder of logos;
- `logo_palette`: a draft kit from one logo (palette roles from its colours in CIELAB, the logo
  trimmed, a JPEG's flat background removed);
- `tokens`: colours and font families from a W3C design tokens file;
- `brand_pdf`: colours named in a brand-guide PDF, its images as logo candidates, and (with an
  OpenAI key) the rest of its text as kit fields for a person to check;
- `writer`: a kit folder written atomically, never over an existing one unless asked;
- `campaign_template`: a commented campaign file with the current defaults;
- `editor`: the kit editor widget of `01_brand_kits`, with a live previz float.

A kit-stage room: it knows kits, typography and the previz backend (for the editor's float), and
nothing downstream of them. Every draft is checked by the same `workbench.kits` validation that
`workbench kits validate` runs, so a problem reads the same wherever it is found.
"""
