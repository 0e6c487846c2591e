# The HTTP shell's words in English (under the Bangla). The same ids in ../bn/serve.ftl.

## Problem titles by status (what the English answer uses is the reason phrase; these are
## for the reader of this file)
title-400 = Bad Request
title-401 = Unauthorized
title-403 = Forbidden
title-404 = Not Found
title-405 = Method Not Allowed
title-408 = Request Timeout
title-409 = Conflict
title-413 = Payload Too Large
title-415 = Unsupported Media Type
title-422 = Unprocessable Entity
title-429 = Too Many Requests
title-500 = Internal Server Error
title-503 = Service Unavailable
title-other = Error

## Problem details
busy = the service is busy; retry shortly
too-many-connections = too many open connections; retry shortly
not-ready = not ready: { $problems }
metrics-failed = metrics encoding failed
not-json = Content-Type must be application/json
not-found = not found
method-not-allowed = method not allowed
timed-out = the request took too long; try again
