"""What an MSI deployment sets up: the install-time machine step and the first start's enrolment."""
