/* SPDX-License-Identifier: Apache-2.0
 *
 * Test support: self-signed certificate generation (see ops_tls.h).
 */
#include <stdio.h>

#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ops_tls.h"

static int add_ext(X509 *crt, int nid, const char *value)
{
	X509V3_CTX ctx;
	X509_EXTENSION *ex;
	int ok;

	X509V3_set_ctx_nodb(&ctx);
	X509V3_set_ctx(&ctx, crt, crt, NULL, NULL, 0);
	ex = X509V3_EXT_conf_nid(NULL, &ctx, nid, value);
	if (!ex)
		return -1;
	ok = X509_add_ext(crt, ex, -1);
	X509_EXTENSION_free(ex);
	return ok ? 0 : -1;
}

static int write_pem(const char *path, X509 *crt, EVP_PKEY *key)
{
	FILE *f = fopen(path, "w");
	int ok = f != NULL;

	if (ok && crt)
		ok = PEM_write_X509(f, crt);
	if (ok && key)
		ok = PEM_write_PrivateKey(f, key, NULL, NULL, 0, NULL, NULL);
	if (f)
		fclose(f);
	return ok ? 0 : -1;
}

int ops_tls_make_cert(const char *cert_path, const char *key_path, const char *pem_path)
{
	EVP_PKEY *key = EVP_PKEY_Q_keygen(NULL, NULL, "EC", "P-256");
	X509 *crt = X509_new();
	X509_NAME *name;
	int ret = -1;

	if (!key || !crt)
		goto out;
	X509_set_version(crt, 2);
	ASN1_INTEGER_set(X509_get_serialNumber(crt), 1);
	X509_gmtime_adj(X509_getm_notBefore(crt), -3600);
	X509_gmtime_adj(X509_getm_notAfter(crt), 24 * 3600);
	X509_set_pubkey(crt, key);
	name = X509_get_subject_name(crt);
	X509_NAME_add_entry_by_txt(name, "CN", MBSTRING_ASC, (const unsigned char *)"127.0.0.1",
				   -1, -1, 0);
	X509_set_issuer_name(crt, name);
	if (add_ext(crt, NID_subject_alt_name, "IP:127.0.0.1,DNS:localhost") ||
	    add_ext(crt, NID_basic_constraints, "critical,CA:TRUE"))
		goto out;
	if (!X509_sign(crt, key, EVP_sha256()))
		goto out;
	if (write_pem(cert_path, crt, NULL) || write_pem(key_path, NULL, key) ||
	    write_pem(pem_path, crt, key))
		goto out;
	ret = 0;
out:
	X509_free(crt);
	EVP_PKEY_free(key);
	return ret;
}
