"""Users of the tracker. The custom user model exists from day one so it can grow."""
