"""Who sees which casework records (registered with the portal's one scoping function)."""
