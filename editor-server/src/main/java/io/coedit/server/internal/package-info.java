/**
 * Small helpers the server's packages share, each written once here: finding a lone
 * surrogate, daemon thread factories, and stopping an executor.
 *
 * <p>Not API: public only so that the server's own packages can reach them. They may change
 * or go at any time, and nothing outside the server should use them.
 */
package io.coedit.server.internal;
