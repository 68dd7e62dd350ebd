/// A node's CURVE keypair in Z85 text (40 characters each): what the store keeps in its key files
/// and the bus gives ZeroMQ. (SanjiBus makes new ones and checks keys.)
public struct CurveKeyPair: Sendable, Equatable {
    /// The public key, 40 Z85 characters.
    public let publicKey: String
    /// The secret key, 40 Z85 characters.
    public let secretKey: String

    /// A pair from its two keys, as given (not checked).
    public init(publicKey: String, secretKey: String) {
        self.publicKey = publicKey
        self.secretKey = secretKey
    }
}
