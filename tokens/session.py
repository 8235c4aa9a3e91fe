"""A logged-in token and the signing keys on it.

Flags are read before the PIN is asked for; a locked token is never asked; the PIN's length is
checked against the token's limits before anything is sent; a PIN is sent once per answer and
never retried; a wrong PIN is followed by a fresh read of the flags so the caller can say what
is now at stake. One signing session at a time per token. Every PKCS#11 call runs on the
module's thread; the prompter runs on the caller's thread.
"""

from __future__ import annotations

import threading
from concurrent.futures import Future
from dataclasses import dataclass, field, replace
from typing import Any

from .errors import TokenCancelled, TokenError, TokenErrorCode
from .mechanisms import MechanismChoice, SignatureScheme, choose_mechanism
from .module import ModuleOptions, Pkcs11Module
from .objects import always_authenticate, read_certificates, read_private_keys
from .pin import PinAnswer, PinPrompter, PinPurpose, PinRequest, PinStatus
from .slots import TokenInfo, find_token_info, token_present
from .translate import translated

__all__ = ["TokenInfo", "TokenKey", "TokenSession", "find_token_info"]

_busy_lock = threading.Lock()
_busy_tokens: set[tuple[str, str]] = set()


@dataclass
class TokenKey:
    """A private key on a logged-in token, with its certificate. Found by CKA_ID."""

    key_id: bytes
    label: str
    certificate: bytes  # DER
    extra_certificates: tuple[bytes, ...]  # other certificates stored on the token (CA chain)
    key_type: str  # "rsa" or "ec"
    key_bits: int
    always_authenticate: bool
    _session: TokenSession = field(repr=False)
    _handle: Any = field(repr=False)
    _mechanisms: dict[tuple[SignatureScheme, str], MechanismChoice] = field(default_factory=dict, repr=False)

    def mechanism(self, *, scheme: SignatureScheme, hash_name: str) -> MechanismChoice:
        """The mechanism this token will use (raises if the token offers none)."""
        cached = self._mechanisms.get((scheme, hash_name))
        if cached is None:
            cached = choose_mechanism(
                scheme=scheme,
                hash_name=hash_name,
                available=self._session.mechanisms,
                host_hash_only=self._session.options.host_hash,
            )
            self._mechanisms[(scheme, hash_name)] = cached
        return cached

    def sign(self, data: bytes, *, scheme: SignatureScheme, hash_name: str) -> bytes:
        """Sign `data` (hashing it as `hash_name`); blocks until the token answers."""
        return self.sign_async(data, scheme=scheme, hash_name=hash_name).result()

    def sign_async(self, data: bytes, *, scheme: SignatureScheme, hash_name: str) -> Future[bytes]:
        """Start a signature on the module thread; the future carries bytes or a TokenError.

        An ECDSA signature comes back DER-encoded (SEQUENCE of r and s), as CMS wants it. A
        failure that leaves the token unreadable is reported as TOKEN_REMOVED.
        """
        choice = self.mechanism(scheme=scheme, hash_name=hash_name)
        payload = choice.prepare(data, scheme=scheme, hash_name=hash_name)
        pin = self._session.context_pin() if self.always_authenticate else None
        session = self._session
        return session.module.submit(
            _sign_checked, session.module, session.info, self._handle, payload, choice,
            scheme == SignatureScheme.ECDSA, pin,
        )


class TokenSession:
    """A logged-in session on one token. Close it when the batch is done."""

    def __init__(
        self, *, module: Pkcs11Module, info: TokenInfo, session: Any, mechanisms: set[int], options: ModuleOptions
    ) -> None:
        self.module = module
        self.info = info
        self.options = options
        self.mechanisms = mechanisms
        self._session = session
        self._context_pin: str | None = None
        self._keys: list[TokenKey] | None = None

    def __repr__(self) -> str:
        return f"<TokenSession {self.info.label!r} serial={self.info.serial}>"

    @classmethod
    def open(
        cls,
        *,
        module: Pkcs11Module,
        prompter: PinPrompter,
        token_label: str | None = None,
        options: ModuleOptions | None = None,
        issuer: str = "",
        holder: str = "",
        purpose: PinPurpose | None = None,
    ) -> TokenSession:
        """Find the token, read its flags, ask for the PIN, log in.

        `issuer` names the CA that can unlock a locked token (from the certificate chain);
        `holder` and `purpose` tell the prompter whose key and what for. A wrong PIN is answered
        to a prompter that `asks_again` with a new request (the flags read again: tries left,
        final try) — one C_Login per answer; kyso never resends a PIN by itself. A token the
        wrong PIN locked stops here (PIN_LOCKED, with who unlocks it).
        """
        options = options or ModuleOptions()
        info = find_token_info(module=module, token_label=token_label)
        if info.pin_status is PinStatus.LOCKED:
            raise TokenError(TokenErrorCode.PIN_LOCKED, token=info.label, issuer=issuer or "-")
        _reserve(module, info)
        try:
            request = replace(_pin_request(info), holder=holder, purpose=purpose)
            while True:
                answer = _ask(prompter, request)
                try:
                    session, mechanisms = _login(module, info, answer, read_only=options.read_only_session,
                                                 issuer=issuer)
                    break
                except TokenError as error:
                    if error.code is not TokenErrorCode.PIN_INCORRECT or not getattr(prompter, "asks_again", False):
                        raise
                    status = PinStatus(error.params.get("status", request.status.value))
                    if status is PinStatus.LOCKED:  # this wrong PIN locked it: nothing more to ask
                        raise
                    request = replace(request, status=status, attempt=request.attempt + 1)
        except BaseException:
            _release(module, info)
            raise
        accepted = getattr(prompter, "pin_accepted", None)
        if accepted is not None:
            accepted()
        opened = cls(module=module, info=info, session=session, mechanisms=mechanisms, options=options)
        opened._context_pin = answer.pin  # kept only for CKA_ALWAYS_AUTHENTICATE keys, see keys()
        return opened

    def keys(self) -> list[TokenKey]:
        """Every private key on the token that has a matching certificate."""
        if self._keys is None:
            found = self.module.call(_find_keys, self._session, self.module.path, self.options.fixed_attribute_buffers)
            self._keys = [TokenKey(**entry, _session=self) for entry in found]
            if not any(key.always_authenticate for key in self._keys):
                self._context_pin = None  # no key needs it: forget the PIN now
        return self._keys

    def key(self, *, key_id: bytes | None = None) -> TokenKey:
        """The key with this CKA_ID, or the only key when none is given."""
        keys = self.keys()
        if key_id is not None:
            for key in keys:
                if key.key_id == key_id:
                    return key
            raise TokenError(TokenErrorCode.KEY_NOT_FOUND, key_id=key_id.hex())
        if not keys:
            raise TokenError(TokenErrorCode.KEY_NOT_FOUND, key_id="-")
        if len(keys) > 1:
            raise TokenError(TokenErrorCode.KEY_AMBIGUOUS, keys=", ".join(k.key_id.hex() for k in keys))
        return keys[0]

    def context_pin(self) -> str:
        if self._context_pin is None:
            raise TokenCancelled()
        return self._context_pin

    def close(self) -> None:
        """Log out and close; a token already pulled out has nothing left to close."""
        self._context_pin = None
        session, self._session = self._session, None
        if session is None:
            return
        try:
            self.module.call(_close, session)
        except TokenError:
            pass
        finally:
            _release(self.module, self.info)

    def __enter__(self) -> TokenSession:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _reserve(module: Pkcs11Module, info: TokenInfo) -> None:
    """One signing session at a time per token (another job gets TOKEN_BUSY, not a mix-up)."""
    with _busy_lock:
        if (module.path, info.serial) in _busy_tokens:
            raise TokenError(TokenErrorCode.TOKEN_BUSY, token=info.label)
        _busy_tokens.add((module.path, info.serial))


def _release(module: Pkcs11Module, info: TokenInfo) -> None:
    with _busy_lock:
        _busy_tokens.discard((module.path, info.serial))


def _pin_request(info: TokenInfo) -> PinRequest:
    return PinRequest(
        token_label=info.label,
        token_serial=info.serial,
        status=info.pin_status,
        pin_pad=info.pin_pad,
        min_length=info.min_pin,
        max_length=info.max_pin,
    )


def _ask(prompter: PinPrompter, request: PinRequest) -> PinAnswer:
    answer = prompter.ask_pin(request)
    if answer is None:
        raise TokenCancelled()
    if request.status is PinStatus.FINAL_TRY and not answer.final_try_confirmed:
        raise TokenError(TokenErrorCode.PIN_FINAL_TRY_NOT_CONFIRMED, token=request.token_label)
    if request.pin_pad:
        return PinAnswer(pin=None, final_try_confirmed=answer.final_try_confirmed)
    if not answer.pin:
        raise TokenCancelled()
    _check_length(answer.pin, request)
    return answer


def _check_length(pin: str, request: PinRequest) -> None:
    """A PIN the token cannot accept is refused here: sending it would cost a try."""
    too_short = request.min_length and len(pin) < request.min_length
    too_long = request.max_length and len(pin) > request.max_length
    if too_short or too_long:
        raise TokenError(
            TokenErrorCode.PIN_LENGTH, min=request.min_length or "-", max=request.max_length or "-"
        )


def _login(module: Pkcs11Module, info: TokenInfo, answer: PinAnswer, *, read_only: bool,
           issuer: str = "") -> tuple[Any, set[int]]:
    try:
        return module.call(_open_session, info, answer.pin, read_only)
    except TokenError as error:
        if error.code is TokenErrorCode.PIN_INCORRECT:
            after = _refresh(module, info)
            raise TokenError(TokenErrorCode.PIN_INCORRECT, token=info.label, status=after.pin_status.value) from None
        if error.code is TokenErrorCode.PIN_LOCKED:  # this wrong PIN locked it: say which token, who unlocks
            raise TokenError(TokenErrorCode.PIN_LOCKED, token=info.label, issuer=issuer or "-") from None
        raise


def _refresh(module: Pkcs11Module, info: TokenInfo) -> TokenInfo:
    """Read the token's flags again (after a wrong PIN they say what is now at stake)."""
    try:
        return find_token_info(module=module, token_label=info.label)
    except TokenError:
        return info


# --- functions below run on the module thread --------------------------------------------


@translated
def _open_session(lib: Any, info: TokenInfo, pin: str | None, read_only: bool):
    import pkcs11

    slot = next(s for s in lib.get_slots(token_present=True) if int(s.slot_id) == info.slot_id)
    token = slot.get_token()
    user_pin = pin if pin is not None else pkcs11.PROTECTED_AUTH
    session = token.open(rw=not read_only, user_pin=user_pin)
    mechanisms = {int(m) for m in slot.get_mechanisms()}
    return session, mechanisms


@translated
def _close(lib: Any, session: Any) -> None:
    session.close()


@translated
def _find_keys(lib: Any, session: Any, module_path: str, fixed_buffers: bool) -> list[dict]:
    certificates = {c.key_id: c for c in read_certificates(session, module_path=module_path, fixed_buffers=fixed_buffers)}
    found, used = [], set()
    for key_id, key in read_private_keys(session, module_path=module_path, fixed_buffers=fixed_buffers):
        if key_id not in certificates:
            continue
        used.add(key_id)
        cert = certificates[key_id]
        key_type, bits = _public_key_shape(cert.der)
        found.append(
            dict(key_id=key_id, label=cert.label, certificate=cert.der, key_type=key_type, key_bits=bits,
                 always_authenticate=always_authenticate(key), _handle=key)
        )
    extras = tuple(c.der for cid, c in certificates.items() if cid not in used)
    for entry in found:
        entry["extra_certificates"] = extras
    return found


def _public_key_shape(der: bytes) -> tuple[str, int]:
    from asn1crypto import x509

    public_key = x509.Certificate.load(der).public_key
    return public_key.algorithm, public_key.bit_size


def _sign_checked(lib: Any, module: Pkcs11Module, info: TokenInfo, handle: Any, payload: bytes,
                  choice: MechanismChoice, ecdsa: bool, pin: str | None) -> bytes:
    """Sign; if it fails and the token is no longer there, say so (TOKEN_REMOVED)."""
    try:
        return _sign_on_thread(lib, handle, payload, choice, ecdsa, pin)
    except TokenError as error:
        if error.code is not TokenErrorCode.TOKEN_REMOVED and not token_present(module, info):
            raise TokenError(TokenErrorCode.TOKEN_REMOVED, token=info.label) from error
        raise


@translated
def _sign_on_thread(lib: Any, handle: Any, payload: bytes, choice: MechanismChoice, ecdsa: bool, pin: str | None) -> bytes:
    import pkcs11

    kwargs: dict[str, Any] = {"mechanism": pkcs11.Mechanism(choice.mechanism)}
    if choice.pss_params is not None:
        hash_mech, mgf, salt = choice.pss_params
        kwargs["mechanism_param"] = (pkcs11.Mechanism(hash_mech), pkcs11.MGF(mgf), salt)
    if pin is not None:
        kwargs["pin"] = pin
    signature = handle.sign(payload, **kwargs)
    if ecdsa:
        from pkcs11.util.ec import encode_ecdsa_signature

        return encode_ecdsa_signature(signature)
    return signature
