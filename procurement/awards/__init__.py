"""Awards: evaluation, awards, standstill and complaints."""
