import * as assert from "node:assert/strict";
import { redact, Redactor, redactUrl } from "../../provider/util/redact";

describe("redact", () => {
    it("blanks SAS signatures, plain and URL-encoded once or twice", () => {
        assert.equal(
            redact("https://a.blob.core.windows.net/c/b.vhd?sv=2022-11-02&se=2025-12-01&sig=AbC%2Bd%3D&sp=r"),
            "https://a.blob.core.windows.net/c/b.vhd?sv=2022-11-02&se=2025-12-01&sig=REDACTED&sp=r",
        );
        assert.equal(
            redact("u=https%3A%2F%2Fa.blob.core.windows.net%2Fb.vhd%3Fsv%3D1%26sig%3DAbCd%252B%26sp%3Dr"),
            "u=https%3A%2F%2Fa.blob.core.windows.net%2Fb.vhd%3Fsv%3D1%26sig%3DREDACTED%26sp%3Dr",
        );
        assert.equal(redact("x%253Fsig%253DZZZ%2526sp%253Dr"), "x%253Fsig%253DREDACTED%2526sp%253Dr");
        assert.equal(
            redact('"https://h/b.vhd?se=1\\u0026sig=QQQ\\u0026sp=r"'),
            '"https://h/b.vhd?se=1\\u0026sig=REDACTED\\u0026sp=r"',
        );
        assert.equal(redact("SIG=upper&x=1"), "SIG=REDACTED&x=1");
    });

    it("leaves look-alike parameters alone", () => {
        assert.equal(redact("signature=keep&design=1&signal=on"), "signature=keep&design=1&signal=on");
    });

    it("removes bearer tokens and JWTs", () => {
        assert.equal(redact("Authorization: Bearer abc.def-ghi_jkl== next"), "Authorization: Bearer REDACTED next");
        const jwt = "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.sflKxwRJSMeKKF2QT4fwpMeJf36POk6yJV_adQssw5c";
        assert.equal(redact(`token ${jwt} end`), "token REDACTED end");
        assert.equal(redact(`{"access_token":"opaque-token-value"}`), `{"access_token":"REDACTED"}`);
    });

    it("keeps the parameters of a WWW-Authenticate challenge readable", () => {
        assert.equal(redact('Bearer realm="", error="invalid_token"'), 'Bearer realm="", error="invalid_token"');
    });

    it("removes client secrets and assertions, form-encoded and in JSON", () => {
        assert.equal(
            redact("grant_type=client_credentials&client_secret=s3cr3t~val&scope=x"),
            "grant_type=client_credentials&client_secret=REDACTED&scope=x",
        );
        assert.equal(
            redact("client_assertion_type=urn%3Ajwt&client_assertion=abc.def.ghi"),
            "client_assertion_type=urn%3Ajwt&client_assertion=REDACTED",
        );
        assert.equal(redact('{"clientSecret":"abc\\"def","x":1}'), '{"clientSecret":"REDACTED","x":1}');
        assert.equal(redact('{"sasUrl":"https://h/b?sig=QQQ&se=1"}'), '{"sasUrl":"https://h/b?sig=REDACTED&se=1"}');
    });

    it("a Redactor also removes its registered secrets and their URL-encoded form; ignores short values", () => {
        const r = new Redactor();
        r.register("p@ss word+1234");
        r.register("short");
        r.register(undefined);
        assert.equal(r.size, 2); // the value and its encoded form
        assert.equal(
            r.redact("a p@ss word+1234 b p%40ss%20word%2B1234 c short sig=abc"),
            "a REDACTED b REDACTED c short sig=REDACTED",
        );
        assert.equal(
            new Redactor().redact("a p@ss word+1234"),
            "a p@ss word+1234",
            "another runtime's redactor knows none of them",
        );
    });

    it("is safe on empty input", () => {
        assert.equal(redact(""), "");
    });
});

describe("redactUrl", () => {
    it("keeps scheme, host, path and harmless SAS fields, blanks the signature, drops credentials", () => {
        assert.equal(
            redactUrl("https://user:pw@a.blob.core.windows.net/c/b.vhd?sv=2022&sig=AbC%2Bd%3D&se=2025"),
            "https://a.blob.core.windows.net/c/b.vhd?sv=2022&sig=REDACTED&se=2025",
        );
    });

    it("redacts text that is not a URL", () => {
        assert.equal(redactUrl("not a url ?sig=abc"), "not a url ?sig=REDACTED");
    });
});
