"""Data shipped inside the package (Derbyshire example, mappings, index weights, population).

Read it through :mod:`gridvoices.ecosystem.shipped`, never by a path relative to a source file.
"""
