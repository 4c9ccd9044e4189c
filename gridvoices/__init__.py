"""GRID Voices: a regional recovery ecosystem as a network."""
