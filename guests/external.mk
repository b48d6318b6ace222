# Guests written by others, fetched from Debian packages (not part of "guests").
.PHONY: external-guests
external-guests:
	@guests/external/fetch-invaders $(BUILD)/external
