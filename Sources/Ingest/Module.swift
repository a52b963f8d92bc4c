// Dock sessions.
