"use client";

import { createContext, useCallback, useContext, useEffect, useMemo, useRef, useState, type ReactNode } from "react";
import { useI18n } from "@/lib/client/i18n-provider";
import { AlertIcon, CloseIcon } from "./icons";

interface Toast {
  id: number;
  message: string;
}

const ToastContext = createContext<(message: string) => void>(() => {});

/** Error messages as role="alert" toasts, bottom centre; each leaves after 6 s or when dismissed. */
export function ToastProvider({ children }: { children: ReactNode }) {
  const [toasts, setToasts] = useState<Toast[]>([]);
  const nextId = useRef(1);
  const dismiss = useCallback((id: number) => setToasts((list) => list.filter((t) => t.id !== id)), []);
  const show = useCallback((message: string) => {
    const id = nextId.current++;
    // The same message twice in a row replaces itself rather than stacking.
    setToasts((list) => [...list.filter((t) => t.message !== message), { id, message }].slice(-3));
  }, []);
  const value = useMemo(() => show, [show]);
  return (
    <ToastContext.Provider value={value}>
      {children}
      <div className="toast-region">
        {toasts.map((toast) => (
          <ToastItem key={toast.id} toast={toast} onDismiss={dismiss} />
        ))}
      </div>
    </ToastContext.Provider>
  );
}

function ToastItem({ toast, onDismiss }: { toast: Toast; onDismiss: (id: number) => void }) {
  const { t } = useI18n();
  useEffect(() => {
    const timer = setTimeout(() => onDismiss(toast.id), 6_000);
    return () => clearTimeout(timer);
  }, [toast.id, onDismiss]);
  return (
    <div className="toast" role="alert">
      <AlertIcon className="toast-icon" />
      <span>{toast.message}</span>
      <button type="button" className="icon-btn icon-btn-sm" aria-label={t.dismiss} onClick={() => onDismiss(toast.id)}>
        <CloseIcon size={14} />
      </button>
    </div>
  );
}

export function useToast() {
  return useContext(ToastContext);
}
