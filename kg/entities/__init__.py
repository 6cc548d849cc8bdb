"""Entities: turn parsed tables into budget records (projects, expenditure lines) and link them."""
