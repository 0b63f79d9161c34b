"""Request and response models of the HTTP API, one module per resource (pure pydantic).

Routers declare these as `response_model`, so /openapi.json and /docs describe every body.
Response models list the fields a client can rely on; they allow extra fields so that a
value the service adds is passed through unchanged rather than dropped.
"""
