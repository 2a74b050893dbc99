"""Stage 5, the cost: speed and memory measured in fresh processes, the record, and notebook 06's figures and sentences."""
