"""The postal partner: tracking (single and batch SOAP services), shipment registration (Otpravka), the tracking
sync and the shopper's tracking page. A Django app of its own (label "postal") inside logistics."""
