"""Models of the notifications app arrive with its issue."""
