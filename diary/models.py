"""Models of the diary app arrive with its issue."""
