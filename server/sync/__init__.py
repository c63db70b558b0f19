"""The sync protocol: push (apply a client's mutations), pull (pages of the change sequence)."""
