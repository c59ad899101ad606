"""Code shared by every rbm service: configuration, database, events, auth, errors, logging."""
