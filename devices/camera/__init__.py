"""Cameras as a device family: ONVIF, VISCA over IP and plain streams behind one driver."""
