local healthy = false
return healthy, "the web container never became healthy"
