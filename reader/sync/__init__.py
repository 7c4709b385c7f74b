"""Sync with a feed server the user already runs, through the Google Reader or Fever API.

``config`` reads ``[sync]`` and the password, ``http`` makes the requests, ``greader``
and ``fever`` speak the two APIs (typed answers), ``state`` is sync's own database
and ``engine`` pulls, pushes and settles conflicts. The store is reached only through
its public ``Store`` methods.
"""
