//go:build tools

// Package tools pins the Hyperledger Fabric CA commands this project builds and runs natively:
// one CA server per organisation, and the client the scripts enrol nodes and admins with.
package tools

import (
	_ "github.com/hyperledger/fabric-ca/cmd/fabric-ca-client"
	_ "github.com/hyperledger/fabric-ca/cmd/fabric-ca-server"
)
