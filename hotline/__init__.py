"""The 12345 government-service hotline platform."""
