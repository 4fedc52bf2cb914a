"""ONVIF cameras: WS-Discovery probes and the device, media and PTZ services over SOAP/HTTP."""
