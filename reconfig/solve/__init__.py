"""Solving a built model with HiGHS: status, objective, bound and gap; the exact radius loop; persistent sessions."""
