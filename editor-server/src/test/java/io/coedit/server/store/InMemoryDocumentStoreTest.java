package io.coedit.server.store;

/** The store contract, held by the in-memory twin. */
class InMemoryDocumentStoreTest extends DocumentStoreContract {

    @Override
    protected DocumentStore openStore() {
        return new InMemoryDocumentStore();
    }
}
