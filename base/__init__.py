"""What every layer of kyso shares and that depends on nothing: the one error base."""
