"""What the desktop application shows and does, without widgets: the documents on the desk,
their preflight status, the token in use, remembered placements. `ui/` only draws these."""
