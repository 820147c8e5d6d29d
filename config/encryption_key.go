package config

import (
	"errors"

	"icbot/storage/keyfile"
)

// EncryptionKeyBytes decodes EncryptionKey. It returns nil when no key is
// set or when the key is malformed (which Validate reports), so storage
// code decodes the key exactly as validation accepted it. The spellings
// accepted are those of a key file (keyfile.Decode), so a key moves
// between the configuration and the key file as it is.
func (s Storage) EncryptionKeyBytes() []byte {
	b, ok := keyfile.Decode(string(s.EncryptionKey))
	if !ok {
		return nil
	}
	return b
}

// checkEncryptionKey is storage.encryption_key's check: empty (the key
// file is used) or a key keyfile.Decode accepts.
func checkEncryptionKey(c *Config) error {
	if c.Storage.EncryptionKey == "" {
		return nil
	}
	if _, ok := keyfile.Decode(string(c.Storage.EncryptionKey)); !ok {
		return errors.New("is not base64 of 32 bytes (generate one with: openssl rand -base64 32)")
	}
	return nil
}
