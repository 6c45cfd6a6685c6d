"""Names Django and the libraries reach by name, which vulture cannot see being used."""
