package org.pformer.model.train;

import ai.djl.pytorch.jni.JniUtils;

/**
 * {@code torch.no_grad()} for the calling thread, restoring the previous mode on close. libtorch's grad mode is
 * thread-local and on by default; DJL switches it off only on the thread that loads the engine, so a worker's other
 * threads (an activity pool) start with autograd recording, where an in-place update of a parameter fails with "a leaf
 * Variable that requires grad is being used in an in-place operation".
 */
public final class NoGrad implements AutoCloseable {

    private final boolean previous;

    public NoGrad() {
        previous = JniUtils.isGradMode();
        JniUtils.setGradMode(false);
    }

    @Override
    public void close() {
        JniUtils.setGradMode(previous);
    }
}
