"""Builds kyso's Windows installer (an MSI) on Linux with msitools' wixl.

Not part of the kyso package (never shipped); `installer/build` runs it. See docs/installer.md.
"""
