"""What the desktop application holds and does, without widgets: the `Desk` (desk.py) with the
documents on it and their preflight status, placements, verifications, the token set, the
audited session and the mode. `ui/` only draws these and forwards the user's acts."""
