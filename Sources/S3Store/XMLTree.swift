import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif

/// An S3 response body as a tree of elements: S3's XML is small, has no attributes that
/// matter and no mixed content, so elements with their text are all that is kept.
///
/// Parsed with Foundation's `XMLParser` (libxml2 on Linux) with external entities NOT
/// resolved, so a hostile body cannot make the gateway read local files or the network.
struct XMLTree: Sendable, Hashable {
    /// The element's name without any namespace prefix (`Error`, `UploadId`).
    var name: String
    /// The text directly inside the element, whitespace-trimmed; "" for elements with children.
    var text: String
    var children: [XMLTree]

    /// The first child element called `name`.
    func child(_ name: String) -> XMLTree? { children.first { $0.name == name } }

    /// Every child element called `name`, in document order.
    func children(named name: String) -> [XMLTree] { children.filter { $0.name == name } }

    /// The text of the first child element called `name`.
    func text(of name: String) -> String? { child(name)?.text }

    /// Bodies larger than this are not parsed: no S3 answer this client reads comes close
    /// (ListParts with 1000 parts is ~250 KiB).
    static let sizeLimit = 4 << 20

    /// The root element of `data`, or nil when it is not well-formed XML (or is too large).
    /// Leading whitespace is skipped: S3 keeps a long CompleteMultipartUpload alive by
    /// sending spaces, and an XML declaration after them would not be well-formed.
    static func parse(_ data: Data) -> XMLTree? {
        guard data.count <= sizeLimit else { return nil }
        let start = data.firstIndex { !(" \t\r\n".utf8.contains($0)) } ?? data.endIndex
        let parser = XMLParser(data: Data(data[start...]))
        parser.shouldResolveExternalEntities = false
        parser.shouldProcessNamespaces = false
        let builder = Builder()
        parser.delegate = builder
        guard parser.parse(), let root = builder.root else { return nil }
        return root
    }

    /// Text escaped for use inside an element.
    static func escape(_ text: String) -> String {
        var out = ""
        for c in text {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&apos;"
            default: out.append(c)
            }
        }
        return out
    }

    /// Collects elements into a tree. Used by one parse on one thread, never shared.
    private final class Builder: NSObject, XMLParserDelegate {
        var stack: [(name: String, text: String, children: [XMLTree])] = []
        var root: XMLTree?

        func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?, attributes attributeDict: [String: String] = [:]) {
            let local = elementName.split(separator: ":").last.map(String.init) ?? elementName
            stack.append((local, "", []))
        }

        func parser(_ parser: XMLParser, foundCharacters string: String) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += string
        }

        func parser(_ parser: XMLParser, foundCDATA CDATABlock: Data) {
            guard !stack.isEmpty else { return }
            stack[stack.count - 1].text += String(decoding: CDATABlock, as: UTF8.self)
        }

        func parser(_ parser: XMLParser, didEndElement elementName: String, namespaceURI: String?,
                    qualifiedName qName: String?) {
            guard let top = stack.popLast() else { return }
            let node = XMLTree(name: top.name,
                               text: top.children.isEmpty ? top.text.trimmingCharacters(in: .whitespacesAndNewlines) : "",
                               children: top.children)
            if stack.isEmpty {
                root = node
            } else {
                stack[stack.count - 1].children.append(node)
            }
        }
    }
}
