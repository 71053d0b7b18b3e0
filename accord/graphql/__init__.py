"""The GraphQL API (strawberry): the schema served at /graphql, its types and resolvers.

API.md is the binding contract; `schema.graphql` beside this file is the exported SDL
(`python -m accord.graphql.export`), checked by the tests.
"""
