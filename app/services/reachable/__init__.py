"""The finder: which activity sessions a client can reach by walk and bus, there and back."""
